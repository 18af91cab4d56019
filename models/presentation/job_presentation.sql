{{ presentation_view('job') }}
