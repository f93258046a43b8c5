# METADATA
# title: No host network
# custom: {code: BENCH9, kinds: compose, category: isolation}
package bench.network
import rego.v1
deny contains {"msg": sprintf("service `%s` uses the host network", [name]), "path": ["services", name, "network_mode"]} if {
	some name, svc in input.services
	svc.network_mode == "host"
}
