{{ presentation_view('spark_task') }}
