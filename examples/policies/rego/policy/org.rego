# METADATA
# title: Acme organisation policy
# description: Acme's rules for every image and every compose service.
# custom:
#   category: provenance
package acme.org

import rego.v1

approved_registries := {"registry.acme.internal/", "ghcr.io/acme/"}

required_labels := {"org.opencontainers.image.source", "org.opencontainers.image.owner"}

# Names of the Dockerfile's stages: `FROM build` uses one, it pulls nothing.
stage_names contains lower(stage.name) if {
	some stage in input.stages
	stage.name != null
}

approved(image) if {
	some prefix in approved_registries
	startswith(image, prefix)
}

pulled(image) if {
	image != "scratch"
	not lower(image) in stage_names
}

# METADATA
# title: Images come from an approved registry
# description: Base images and service images are pulled from Acme's registries only.
# custom:
#   code: ORG101
#   severity: error
#   category: provenance
#   related: ["nist-800-190:3.1.5"]
deny_registry contains {"msg": msg, "location": instr.location} if {
	some instr in input.instructions
	instr.keyword == "FROM"
	image := instr.arguments[0]
	pulled(image)
	not approved(image)
	msg := sprintf("base image `%s` is not from an approved registry (%s)", [image, concat(", ", sort(approved_registries))])
}

deny_registry contains {"msg": msg, "path": ["services", name, "image"]} if {
	some name, service in input.services
	not service.build
	not approved(service.image)
	msg := sprintf("service `%s`: image `%s` is not from an approved registry", [name, service.image])
}

# METADATA
# title: Images carry the required labels
# custom:
#   code: ORG102
#   severity: warning
#   category: style
deny_labels contains {"msg": msg, "location": from.location} if {
	count(input.stages) > 0
	final := input.stages[count(input.stages) - 1]
	from := final.instructions[0]
	keys := {instr.arguments[i] |
		some instr in final.instructions
		instr.keyword == "LABEL"
		some i, _ in instr.arguments
		i % 2 == 0
	}
	missing := required_labels - keys
	count(missing) > 0
	msg := sprintf("the final stage has no label %s", [concat(", ", sort(missing))])
}

# METADATA
# title: Images do not run as root
# custom:
#   code: ORG103
#   severity: error
#   category: privilege
#   related: ["cis:4.1"]
deny_root contains {"msg": msg, "location": user.location} if {
	some user in final_users
	user == last_user
	user.arguments[0] in {"root", "0", "root:root", "0:0"}
	msg := sprintf("the image runs as `%s`", [user.arguments[0]])
}

deny_root contains {"msg": "the image runs as root: no USER in the final stage", "location": final.instructions[0].location} if {
	count(input.stages) > 0
	final := input.stages[count(input.stages) - 1]
	count(final_users) == 0
}

final_users := [instr |
	final := input.stages[count(input.stages) - 1]
	some instr in final.instructions
	instr.keyword == "USER"
]

last_user := final_users[count(final_users) - 1]

# METADATA
# title: Services have a memory limit
# custom:
#   code: ORG104
#   severity: error
#   category: resources
deny_memory contains {"msg": msg, "path": ["services", name]} if {
	some name, service in input.services
	not service.deploy.resources.limits.memory
	not service.mem_limit
	msg := sprintf("service `%s` has no memory limit (deploy.resources.limits.memory)", [name])
}
