using GitOps.Orchestrations.Api;
using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Server.Authentication;

namespace GitOps.Orchestrations.Server;

/// <summary>Bearer tokens: HMAC-signed JWTs from the configured issuer for the configured audience.</summary>
public sealed record JwtSettings
{
    public string? Issuer { get; init; }

    public string? Audience { get; init; }

    /// <summary>The HMAC key, at least 32 bytes of UTF-8.</summary>
    public string? SigningKey { get; init; }
}

/// <summary>Everything <c>gitops serve</c> reads: flags, then the <c>GitOps</c> configuration section.</summary>
public sealed record ServerOptions
{
    public string Urls { get; init; } = "http://127.0.0.1:8080";

    public EngineHostOptions Engine { get; init; } = new();

    public WorkflowRepositoryOptions Workflows { get; init; } = new();

    public ApiOptions Api { get; init; } = new();

    public IReadOnlyList<ApiKeyEntry> ApiKeys { get; init; } = [];

    public JwtSettings Jwt { get; init; } = new();

    /// <summary>How often schedules are looked at; slots start within this of their time.</summary>
    public TimeSpan ScheduleInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the branch is polled for git triggers; zero turns polling off.</summary>
    public TimeSpan GitPollInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>This process's name in claims, logs and audit entries.</summary>
    public string HostName { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}";
}
