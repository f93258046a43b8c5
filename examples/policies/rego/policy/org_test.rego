package acme.org

import rego.v1

from_instr(image) := {"keyword": "FROM", "arguments": [image], "location": {}}

user_instr(name) := {"keyword": "USER", "arguments": [name], "location": {}}

label_instr(key, value) := {"keyword": "LABEL", "arguments": [key, value], "location": {}}

dockerfile(instructions) := {"stages": [{"name": null, "instructions": instructions}], "instructions": instructions}

test_docker_hub_image_is_denied if {
	count(deny_registry) == 1 with input as dockerfile([from_instr("alpine:3.20")])
}

test_internal_image_is_allowed if {
	count(deny_registry) == 0 with input as dockerfile([from_instr("registry.acme.internal/base/alpine:3.20")])
}

test_stage_names_are_not_images if {
	input_doc := {
		"stages": [
			{"name": "build", "instructions": [from_instr("ghcr.io/acme/go:1.23")]},
			{"name": null, "instructions": [from_instr("build")]},
		],
		"instructions": [from_instr("ghcr.io/acme/go:1.23"), from_instr("build")],
	}
	count(deny_registry) == 0 with input as input_doc
}

test_root_user_is_denied if {
	count(deny_root) == 1 with input as dockerfile([from_instr("x"), user_instr("root")])
}

test_last_user_wins if {
	count(deny_root) == 0 with input as dockerfile([from_instr("x"), user_instr("root"), user_instr("app")])
}

test_missing_labels if {
	some msg in deny_labels with input as dockerfile([from_instr("x"), label_instr("org.opencontainers.image.source", "s")])
	contains(msg.msg, "org.opencontainers.image.owner")
}

test_services_need_memory_limits if {
	count(deny_memory) == 1 with input as {"services": {"a": {"image": "x"}, "b": {"image": "y", "deploy": {"resources": {"limits": {"memory": "1g"}}}}}}
}
