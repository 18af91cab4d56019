{{ presentation_view('warehouse') }}
