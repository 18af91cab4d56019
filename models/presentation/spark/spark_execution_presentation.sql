{{ presentation_view('spark_execution') }}
