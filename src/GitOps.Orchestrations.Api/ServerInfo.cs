namespace GitOps.Orchestrations.Api;

/// <summary>
/// What a host runs on, as <c>GET /api/server</c> and <c>/healthz</c> show it: above all whether
/// what it is given outlives it (<see cref="Durable"/>), so nobody mistakes a demo for a server.
/// </summary>
public sealed record ServerInfo(string Store, bool Durable, string TaskHub, string Repository)
{
    public string Version { get; init; } = typeof(ServerInfo).Assembly.GetName().Version?.ToString() ?? "unknown";
}
