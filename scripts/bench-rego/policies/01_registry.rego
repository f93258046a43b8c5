# METADATA
# title: Images come from approved registries
# custom: {code: BENCH1, severity: error, category: provenance}
package bench.registry
import rego.v1
approved := {"registry.acme.internal/", "ghcr.io/acme/"}
ok(image) if { some p in approved; startswith(image, p) }
stage_names contains lower(s.name) if { some s in input.stages; s.name != null }
deny contains {"msg": sprintf("base image `%s` is not approved", [img]), "location": i.location} if {
	some i in input.instructions
	i.keyword == "FROM"
	img := i.arguments[0]
	img != "scratch"
	not lower(img) in stage_names
	not ok(img)
}
deny contains {"msg": sprintf("service `%s`: image not approved", [name]), "path": ["services", name, "image"]} if {
	some name, svc in input.services
	is_string(svc.image)
	not ok(svc.image)
}
