"""The web console (`qualify serve`): pages for sellers, supervisors, admins and evaluators,
and the JSON API they use."""
