namespace GitOps.Orchestrations.Testing;

/// <summary>Whether Testcontainers can start containers here: a Docker socket, or a <c>DOCKER_HOST</c>.</summary>
public static class DockerEngine
{
    public static bool Available =>
        File.Exists("/var/run/docker.sock") || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_HOST"));
}
