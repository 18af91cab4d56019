{{ presentation_view('warehouse_state_fact') }}
