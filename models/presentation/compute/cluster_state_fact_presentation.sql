{{ presentation_view('cluster_state_fact') }}
