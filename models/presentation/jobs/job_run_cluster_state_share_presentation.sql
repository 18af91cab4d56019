{{ presentation_view('job_run_cluster_state_share') }}
