namespace GitOps.Orchestrations.Api.Hooks;

/// <summary>
/// One webhook endpoint, <c>POST /api/hooks/{name}</c>, as the operator configures it: which sender
/// it expects and the secret its deliveries are signed with. Hooks live in the host's configuration,
/// never in Git: whoever can push workflows chooses which hooks start them, but cannot create an
/// endpoint, weaken its check or read its secret.
/// </summary>
public sealed record HookSpec
{
    /// <summary>github, gitlab, hmac or cloudevents (<see cref="WebhookSources"/>).</summary>
    public string Type { get; init; } = "hmac";

    /// <summary>The shared secret itself; prefer <see cref="SecretEnv"/>, so configuration files hold no secret.</summary>
    public string? Secret { get; init; }

    /// <summary>The environment variable holding the secret.</summary>
    public string? SecretEnv { get; init; }

    /// <summary>The secret, from the configuration or the environment; null when neither has one, and then every delivery is refused.</summary>
    public string? ResolveSecret() =>
        Secret is { Length: > 0 } ? Secret
        : SecretEnv is { Length: > 0 } name && Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value
        : null;

    /// <summary>What is wrong with this hook's settings, for the host to refuse at start; null when nothing.</summary>
    public string? Problem(string name)
    {
        if (Core.Loading.DocumentNames.DnsLabel(name, "hook") is string badName)
        {
            return badName;
        }

        if (!WebhookSources.Types.Contains(Type, StringComparer.Ordinal))
        {
            return $"hook '{name}': unknown type '{Type}' (known: {string.Join(", ", WebhookSources.Types)})";
        }

        return ResolveSecret() is null ? $"hook '{name}' has no secret (set Secret, or SecretEnv naming a variable that holds one)" : null;
    }
}
