# METADATA
# title: No privileged services
# custom: {code: BENCH8, kinds: compose, category: privilege}
package bench.privileged
import rego.v1
deny contains {"msg": sprintf("service `%s` is privileged", [name]), "path": ["services", name, "privileged"]} if {
	some name, svc in input.services
	svc.privileged == true
}
