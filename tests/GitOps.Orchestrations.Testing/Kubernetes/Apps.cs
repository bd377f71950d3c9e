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
}
