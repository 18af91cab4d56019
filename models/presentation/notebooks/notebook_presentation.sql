{{ presentation_view('notebook') }}
