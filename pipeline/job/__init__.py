"""The `translate` job: preflight and the local executor (`run`), the units of work
and their commit (`tasks`), and the Ray executor (`ray_executor`)."""
