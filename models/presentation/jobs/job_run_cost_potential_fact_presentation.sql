{{ presentation_view('job_run_cost_potential_fact') }}
