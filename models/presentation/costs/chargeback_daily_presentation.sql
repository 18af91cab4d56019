{{ presentation_view('chargeback_daily') }}
