{{ presentation_view('job_run_cost') }}
