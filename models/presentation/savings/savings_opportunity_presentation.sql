{{ presentation_view('savings_opportunity') }}
