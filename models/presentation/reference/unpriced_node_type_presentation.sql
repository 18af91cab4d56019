{{ presentation_view('unpriced_node_type') }}
