{{ presentation_view('spark_stream') }}
