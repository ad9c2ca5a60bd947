{{/*
The three long-running services, in a fixed order. Templates range over this list and
read `.Values.<service>`, so the services share one Deployment/Service/HPA/PDB/ServiceMonitor
template each.
*/}}
{{- define "caravan.services" -}}
api ingester dispatcher
{{- end -}}

{{/* Chart name (nameOverride wins), 63 characters at most. */}}
{{- define "caravan.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Full name: <release>-<chart>, or the release name alone when it already contains the chart
name. Truncated to 52 characters so that "<fullname>-dispatcher" (the longest suffix,
11 characters) still fits the 63-character DNS label limit.
*/}}
{{- define "caravan.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Name of one component's resources: <fullname>-<component>. */}}
{{- define "caravan.componentName" -}}
{{- printf "%s-%s" (include "caravan.fullname" .ctx) .component -}}
{{- end -}}

{{/* chart label value: <name>-<version>. */}}
{{- define "caravan.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels. Call with (dict "ctx" $ "component" "api"); component may be "". */}}
{{- define "caravan.selectorLabels" -}}
app.kubernetes.io/name: {{ include "caravan.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end -}}

{{/* Standard labels. Call with (dict "ctx" $ "component" "api"); component may be "". */}}
{{- define "caravan.labels" -}}
helm.sh/chart: {{ include "caravan.chart" .ctx }}
{{ include "caravan.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: caravan
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
{{- end -}}

{{- define "caravan.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "caravan.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "caravan.configMapName" -}}
{{- printf "%s-config" (include "caravan.fullname" .) -}}
{{- end -}}

{{/* The Secret the pods read: the operator's existingSecret, or the chart's own. */}}
{{- define "caravan.secretName" -}}
{{- if .Values.secrets.existingSecret.name -}}
{{- .Values.secrets.existingSecret.name -}}
{{- else -}}
{{- printf "%s-secrets" (include "caravan.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* The hook-only copy of the chart's Secret that the migration Job reads (see secret.yaml). */}}
{{- define "caravan.migrationSecretName" -}}
{{- if .Values.secrets.existingSecret.name -}}
{{- .Values.secrets.existingSecret.name -}}
{{- else -}}
{{- printf "%s-migrate-secrets" (include "caravan.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "caravan.databaseUrlKey" -}}
{{- if .Values.secrets.existingSecret.name -}}
{{- .Values.secrets.existingSecret.databaseUrlKey -}}
{{- else -}}
database-url
{{- end -}}
{{- end -}}

{{- define "caravan.adminApiKeyKey" -}}
{{- if .Values.secrets.existingSecret.name -}}
{{- .Values.secrets.existingSecret.adminApiKeyKey -}}
{{- else -}}
admin-api-key
{{- end -}}
{{- end -}}

{{/* Whether the chart renders its own Secret(s). */}}
{{- define "caravan.createSecret" -}}
{{- if not .Values.secrets.existingSecret.name -}}true{{- end -}}
{{- end -}}

{{/* The Secret's data, shared by the release Secret and the migration hook's copy. */}}
{{- define "caravan.secretData" -}}
database-url: {{ .Values.secrets.databaseUrl | b64enc | quote }}
{{- if .Values.secrets.adminApiKey }}
admin-api-key: {{ .Values.secrets.adminApiKey | b64enc | quote }}
{{- end }}
{{- end -}}

{{/*
Image reference of a service. Call with (dict "ctx" $ "svc" .Values.api).
registry/repository, then @digest if set, else :tag (service tag, global tag, appVersion).
*/}}
{{- define "caravan.image" -}}
{{- $g := .ctx.Values.image -}}
{{- $repo := .svc.image.repository -}}
{{- if $g.registry -}}
{{- $repo = printf "%s/%s" (trimSuffix "/" $g.registry) $repo -}}
{{- end -}}
{{- if .svc.image.digest -}}
{{- printf "%s@%s" $repo .svc.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (.svc.image.tag | default $g.tag | default .ctx.Chart.AppVersion | toString) -}}
{{- end -}}
{{- end -}}

{{- define "caravan.imagePullPolicy" -}}
{{- .svc.image.pullPolicy | default .ctx.Values.image.pullPolicy -}}
{{- end -}}

{{/* Whole seconds of the configured shutdown timeout, rounded up. */}}
{{- define "caravan.shutdownSeconds" -}}
{{- $ms := int64 .Values.config.shutdownTimeoutMs -}}
{{- div (add $ms 999) 1000 -}}
{{- end -}}

{{/* terminationGracePeriodSeconds of a service. Call with (dict "ctx" $ "svc" ...). */}}
{{- define "caravan.terminationGrace" -}}
{{- if kindIs "invalid" .svc.terminationGracePeriodSeconds -}}
{{- add (include "caravan.shutdownSeconds" .ctx | int64) .ctx.Values.config.terminationGraceBufferSeconds -}}
{{- else -}}
{{- .svc.terminationGracePeriodSeconds | int64 -}}
{{- end -}}
{{- end -}}

{{/* CARAVAN_PUBLIC_URL: explicit, else the first Ingress host, else the api Service. */}}
{{- define "caravan.publicUrl" -}}
{{- if .Values.config.publicUrl -}}
{{- .Values.config.publicUrl -}}
{{- else if and .Values.ingress.enabled .Values.ingress.hosts -}}
{{- $host := (first .Values.ingress.hosts).host -}}
{{- $tls := false -}}
{{- range .Values.ingress.tls -}}
{{- if has $host (.hosts | default list) -}}{{- $tls = true -}}{{- end -}}
{{- end -}}
{{- printf "%s://%s" (ternary "https" "http" $tls) $host -}}
{{- else -}}
{{- printf "http://%s.%s.svc:%d" (include "caravan.componentName" (dict "ctx" . "component" "api")) .Release.Namespace (int .Values.api.service.port) -}}
{{- end -}}
{{- end -}}

{{/*
Environment entries for the secrets. Call with (dict "ctx" $ "secretName" ... "admin" bool).
The admin key is optional (no key: no admin routes), so its reference is optional too.
*/}}
{{- define "caravan.secretEnv" -}}
- name: CARAVAN_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .secretName }}
      key: {{ include "caravan.databaseUrlKey" .ctx }}
{{- if .admin }}
- name: CARAVAN_ADMIN_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .secretName }}
      key: {{ include "caravan.adminApiKeyKey" .ctx }}
      optional: true
{{- end }}
{{- end -}}

{{/*
Cross-field checks that a JSON schema cannot express. Rendered (as nothing) by
templates/validate.yaml, so `helm template`, `helm lint` and `helm install` all fail with
the message.
*/}}
{{- define "caravan.validate" -}}
{{- $v := .Values -}}
{{- $partitions := int64 $v.kafka.partitions -}}
{{- $d := $v.dispatcher -}}
{{- if $d.autoscaling.enabled -}}
{{- if gt (int64 $d.autoscaling.maxReplicas) $partitions -}}
{{- fail (printf "dispatcher.autoscaling.maxReplicas (%d) exceeds kafka.partitions (%d): a dispatcher beyond the partition count of %s gets no partition and sits idle (docs/architecture.md#scaling-each-service). Lower maxReplicas or raise kafka.partitions." (int64 $d.autoscaling.maxReplicas) $partitions $v.kafka.topics.deliveries) -}}
{{- end -}}
{{- else if gt (int64 $d.replicaCount) $partitions -}}
{{- fail (printf "dispatcher.replicaCount (%d) exceeds kafka.partitions (%d): a dispatcher beyond the partition count of %s gets no partition and sits idle (docs/architecture.md#scaling-each-service). Lower replicaCount or raise kafka.partitions." (int64 $d.replicaCount) $partitions $v.kafka.topics.deliveries) -}}
{{- end -}}
{{- $shutdown := include "caravan.shutdownSeconds" . | int64 -}}
{{- range $name := splitList " " (include "caravan.services" .) -}}
{{- $svc := index $v $name -}}
{{- $a := $svc.autoscaling -}}
{{- if and $a.enabled (gt (int64 $a.minReplicas) (int64 $a.maxReplicas)) -}}
{{- fail (printf "%s.autoscaling.minReplicas (%d) exceeds %s.autoscaling.maxReplicas (%d)" $name (int64 $a.minReplicas) $name (int64 $a.maxReplicas)) -}}
{{- end -}}
{{- if and $a.enabled (not $a.targetCPUUtilizationPercentage) (not $a.targetMemoryUtilizationPercentage) -}}
{{- fail (printf "%s.autoscaling is enabled without a target: set targetCPUUtilizationPercentage and/or targetMemoryUtilizationPercentage" $name) -}}
{{- end -}}
{{- if and $a.enabled $a.targetCPUUtilizationPercentage (not (dig "requests" "cpu" "" ($svc.resources | default dict))) -}}
{{- fail (printf "%s.autoscaling targets CPU utilization but %s.resources.requests.cpu is not set (utilization is relative to the request)" $name $name) -}}
{{- end -}}
{{- if and $a.enabled $a.targetMemoryUtilizationPercentage (not (dig "requests" "memory" "" ($svc.resources | default dict))) -}}
{{- fail (printf "%s.autoscaling targets memory utilization but %s.resources.requests.memory is not set" $name $name) -}}
{{- end -}}
{{- $pdb := $svc.podDisruptionBudget -}}
{{- if and $pdb.enabled (not (kindIs "invalid" $pdb.minAvailable)) (not (kindIs "invalid" $pdb.maxUnavailable)) -}}
{{- fail (printf "%s.podDisruptionBudget: set minAvailable or maxUnavailable, not both" $name) -}}
{{- end -}}
{{- $grace := include "caravan.terminationGrace" (dict "ctx" $ "svc" $svc) | int64 -}}
{{- if le $grace $shutdown -}}
{{- fail (printf "%s.terminationGracePeriodSeconds (%d) must exceed config.shutdownTimeoutMs (%d ms = %ds), or Kubernetes kills the pod mid-drain" $name $grace (int64 $v.config.shutdownTimeoutMs) $shutdown) -}}
{{- end -}}
{{- if le (mul (int64 $svc.probes.readiness.timeoutSeconds) 1000) (int64 $v.config.readinessTimeoutMs) -}}
{{- fail (printf "%s.probes.readiness.timeoutSeconds (%ds) must exceed config.readinessTimeoutMs (%d ms), or the probe gives up before /readyz answers" $name (int64 $svc.probes.readiness.timeoutSeconds) (int64 $v.config.readinessTimeoutMs)) -}}
{{- end -}}
{{- end -}}
{{- if and $v.ingress.enabled (not $v.ingress.hosts) -}}
{{- fail "ingress.enabled is true but ingress.hosts is empty" -}}
{{- end -}}
{{- end -}}
