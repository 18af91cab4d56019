{{ presentation_view('spark_application') }}
