{{ presentation_view('spark_stage') }}
