{{ presentation_view('sql_query_history') }}
