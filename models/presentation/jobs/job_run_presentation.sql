{{ presentation_view('job_run') }}
