namespace GitOps.Orchestrations.Rollouts.Tests;

/// <summary>The mesh resources a router edits, and the CustomResourceDefinitions that let the API fixture serve them.</summary>
public static class Routes
{
    static string Crd(string group, string version, string kind, string plural) => $$$"""
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: {{{plural}}}.{{{group}}}
        spec:
          group: {{{group}}}
          scope: Namespaced
          names: {kind: {{{kind}}}, plural: {{{plural}}}, singular: {{{kind.ToLowerInvariant()}}}}
          versions:
            - name: {{{version}}}
              served: true
              storage: true
              schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
        """;

    public static readonly string HttpRouteCrd = Crd("gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes");
    public static readonly string VirtualServiceCrd = Crd("networking.istio.io", "v1beta1", "VirtualService", "virtualservices");
    public static readonly string TrafficSplitCrd = Crd("split.smi-spec.io", "v1alpha2", "TrafficSplit", "trafficsplits");

    public static string CanaryService(string ns) => $$$"""
        apiVersion: v1
        kind: Service
        metadata: {name: api-canary, namespace: {{{ns}}}}
        spec:
          selector: {app: api, rollouts.gitops.orchestrations/role: canary}
          ports: [{port: 80, targetPort: 8080}]
        """;

    public static string HttpRoute(string ns) => $$$"""
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: api, namespace: {{{ns}}}}
        spec:
          parentRefs: [{name: gateway}]
          rules:
            - matches: [{path: {type: PathPrefix, value: /}}]
              backendRefs:
                - {name: api, port: 80, weight: 100}
                - {name: api-canary, port: 80, weight: 0}
        """;

    public static string VirtualService(string ns) => $$$"""
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata: {name: api, namespace: {{{ns}}}}
        spec:
          hosts: [api]
          http:
            - name: primary
              route:
                - {destination: {host: api}, weight: 100}
                - {destination: {host: api-canary.{{{ns}}}.svc.cluster.local}, weight: 0}
            - name: admin
              route:
                - {destination: {host: api}, weight: 100}
                - {destination: {host: api-canary}, weight: 0}
        """;

    public static string TrafficSplit(string ns) => $$$"""
        apiVersion: split.smi-spec.io/v1alpha2
        kind: TrafficSplit
        metadata: {name: api, namespace: {{{ns}}}}
        spec:
          service: api
          backends:
            - {service: api, weight: 100}
        """;
}
