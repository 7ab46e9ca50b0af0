"""Pure rules of the console: charts, time formatting, CSRF tokens, filtering and paging of tables."""
