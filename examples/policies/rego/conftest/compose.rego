# A conftest policy for compose files, as written for `conftest test compose.yaml`: the input is
# the document itself, package main, Rego v1.
package main

import rego.v1

deny contains msg if {
	some name, service in input.services
	service.privileged
	msg := sprintf("service `%s` must not be privileged", [name])
}

deny contains msg if {
	some name, service in input.services
	service.network_mode == "host"
	msg := sprintf("service `%s` must not use the host network", [name])
}
