"""Entry point of the Rasa server process: ``python -m bot.adapters.rasa_main run ...``.

The same as ``python -m rasa``, with one measured fix installed first.
Rasa 3.6 checks every reply of the action server with
``jsonschema.validate(result, schema)``, which builds a new validator (and
re-checks the schema) on each call: about 30 ms per custom action on our
2-core machine, most of a turn's latency (bench/README.md). We validate
against the same schema with one validator built once; invalid replies are
still refused with the same error.
"""

from __future__ import annotations

from typing import Any, Dict


def install_fast_action_validation() -> None:
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
        try:
            validator.validate(result)
        except ValidationError as error:
            error.message += (
                ". Failed to validate Action server response from API, make sure your response from the "
                f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
            )
            raise
        return True

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


def main() -> None:
    install_fast_action_validation()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
