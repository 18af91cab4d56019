{{ presentation_view('pipeline_update_cost') }}
