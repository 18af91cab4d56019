{{ presentation_view('billable_usage') }}
