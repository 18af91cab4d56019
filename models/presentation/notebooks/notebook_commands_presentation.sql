{{ presentation_view('notebook_commands') }}
