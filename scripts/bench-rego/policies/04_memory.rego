# METADATA
# title: Services have a memory limit
# custom: {code: BENCH4, severity: error, category: resources, kinds: compose}
package bench.memory
import rego.v1
deny contains {"msg": sprintf("service `%s` has no memory limit", [name]), "path": ["services", name]} if {
	some name, svc in input.services
	is_object(svc)
	not svc.deploy.resources.limits.memory
	not svc.mem_limit
}
