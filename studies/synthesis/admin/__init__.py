"""Django admin for synthesis: boards, routing rules, insights and their cards, webhooks.

The admin keeps the rules of the app: routing rules and webhooks are written through the
services (so a rule change re-routes insights at once, and a webhook URL is checked), an
insight's statement is edited through `insight_update`, and history (card events, the
webhook delivery log) is read-only.

Importing the modules registers their admins, as Django's admin autodiscovery imports this
package.
"""

from studies.synthesis.admin import insights, rules, tags, webhooks

__all__ = ["insights", "rules", "tags", "webhooks"]
