{{ presentation_view('spark_job') }}
