"""Reports over the store: mentions of terms (keyword in context) and figures per group."""
