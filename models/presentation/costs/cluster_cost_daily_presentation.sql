{{ presentation_view('cluster_cost_daily') }}
