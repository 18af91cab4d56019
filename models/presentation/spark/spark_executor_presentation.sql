{{ presentation_view('spark_executor') }}
