{{ presentation_view('instance_pool') }}
