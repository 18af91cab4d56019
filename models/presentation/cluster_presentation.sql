{{ presentation_view('cluster') }}
