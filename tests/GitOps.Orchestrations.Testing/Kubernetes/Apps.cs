namespace GitOps.Orchestrations.Testing.Kubernetes;

/// <summary>Small but realistic manifests for the tests.</summary>
public static class Apps
{
    public static string Namespace(string name) => $"""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: {name}
        """;

    public static string ConfigMap(string name, string value, string? ns = null) => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {name}
        {(ns is null ? string.Empty : $"  namespace: {ns}")}
        data:
          value: "{value}"
        """;

    public static string Deployment(string name, string image, int replicas = 2, string? ns = null) => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
        {(ns is null ? string.Empty : $"  namespace: {ns}")}
          labels:
            app: {name}
        spec:
          replicas: {replicas}
          selector:
            matchLabels:
              app: {name}
          template:
            metadata:
              labels:
                app: {name}
            spec:
              containers:
                - name: {name}
                  image: {image}
                  ports:
                    - containerPort: 8080
        """;

    public static string Service(string name, string? ns = null) => $"""
        apiVersion: v1
        kind: Service
        metadata:
          name: {name}
        {(ns is null ? string.Empty : $"  namespace: {ns}")}
        spec:
          selector:
            app: {name}
          ports:
            - port: 80
              targetPort: 8080
        """;

    /// <summary>
    /// A Deployment a real API server rewrites: <c>cpu: 1</c> and <c>cpu: 0.5</c> are YAML numbers,
    /// <c>1024Mi</c> the binary form of 1Gi; the server stores "1", "500m" and "1Gi", and fills in
    /// the defaults of its containers and ports.
    /// </summary>
    public static string SizedDeployment(string name, string image) => $$$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: {{{name}}}}
        spec:
          selector: {matchLabels: {app: {{{name}}}}}
          template:
            metadata: {labels: {app: {{{name}}}}}
            spec:
              containers:
                - name: {{{name}}}
                  image: {{{image}}}
                  ports: [{containerPort: 8080}]
                  resources:
                    limits: {cpu: 1, memory: 1024Mi}
                    requests: {cpu: 0.5, memory: 512Mi}
              volumes:
                - name: scratch
                  emptyDir: {sizeLimit: 1024Mi}
        """;

    /// <summary>A Service the server fills in (protocol, targetPort, type) and a Secret whose stringData it stores as data.</summary>
    public static string DefaultedServiceAndSecret(string name) => $$$"""
        apiVersion: v1
        kind: Service
        metadata: {name: {{{name}}}}
        spec:
          selector: {app: {{{name}}}}
          ports: [{port: 80}]
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: {{{name}}}}
        stringData: {token: s3cret}
        """;
}
