"""Per-area URL sweep rules. Each module defines RULES (URL name -> tests.sweep.Rule) and may
define PLANTERS: functions (region, planted so far) -> {model label: object}."""
