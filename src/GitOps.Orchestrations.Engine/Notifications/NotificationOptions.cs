using GitOps.Orchestrations.Core.Notifications;

namespace GitOps.Orchestrations.Engine.Notifications;

/// <summary>
/// The host's half of notifications: the channels subscriptions name, with the URLs and
/// credentials that must never be in Git; the subscriptions every run gets besides its workflow's
/// own; and where the dashboard is, for links.
/// </summary>
public sealed record NotificationOptions
{
    public IReadOnlyDictionary<string, ChannelSpec> Channels { get; init; } = new Dictionary<string, ChannelSpec>();

    /// <summary>Server-wide subscriptions, added to every run when it starts (and kept with it).</summary>
    public IReadOnlyList<SubscriptionSpec> Defaults { get; init; } = [];

    /// <summary>The dashboard's address (the server's <c>{PublicUrl}/ui/</c>, the Functions app's <c>/api/ui/</c>); links go to <c>{DashboardUrl}#/runs/{id}</c>.</summary>
    public string? DashboardUrl { get; init; }

    /// <summary>The link to a run's page in the dashboard, or null when the host does not know its address.</summary>
    public string? LinkTo(string runId) =>
        DashboardUrl is { Length: > 0 } url ? $"{url.TrimEnd('/')}/#/runs/{Uri.EscapeDataString(runId)}" : null;

    /// <summary>What is wrong with the channels' settings, for the host to refuse at start; null when nothing.</summary>
    public string? Problem()
    {
        if (Channels.Select(c => c.Value.Problem(c.Key)).FirstOrDefault(p => p is not null) is string problem)
        {
            return problem;
        }

        return Defaults.SelectMany(d => d.To).FirstOrDefault(n => !Channels.ContainsKey(n)) is string unknown
            ? $"a default subscription names channel '{unknown}', which is not configured"
            : null;
    }
}

/// <summary>One channel: its type (webhook, slack, teams, email) and where and how it delivers.</summary>
public sealed record ChannelSpec
{
    public string Type { get; init; } = "webhook";

    /// <summary>webhook, slack, teams: the URL to post to; prefer <see cref="UrlEnv"/>, since incoming-webhook URLs are credentials.</summary>
    public string? Url { get; init; }

    public string? UrlEnv { get; init; }

    /// <summary>webhook: signs each body with HMAC-SHA256 in <c>X-Signature-256</c> when set.</summary>
    public string? Secret { get; init; }

    public string? SecretEnv { get; init; }

    /// <summary>email: the SMTP server.</summary>
    public string? SmtpHost { get; init; }

    public int SmtpPort { get; init; } = 587;

    /// <summary>email: none, starttls (the default) or tls.</summary>
    public string SmtpSecurity { get; init; } = "starttls";

    public string? SmtpUser { get; init; }

    public string? SmtpPasswordEnv { get; init; }

    public string? From { get; init; }

    public IReadOnlyList<string> To { get; init; } = [];

    public string? ResolveUrl() => Url is { Length: > 0 } ? Url : UrlEnv is { Length: > 0 } name ? Environment.GetEnvironmentVariable(name) : null;

    public string? ResolveSecret() => Secret is { Length: > 0 } ? Secret : SecretEnv is { Length: > 0 } name ? Environment.GetEnvironmentVariable(name) : null;

    public string? Problem(string name)
    {
        if (Core.Loading.DocumentNames.DnsLabel(name, "channel") is string badName)
        {
            return badName;
        }

        if (!NotificationChannels.Types.Contains(Type, StringComparer.Ordinal))
        {
            return $"channel '{name}': unknown type '{Type}' (known: {string.Join(", ", NotificationChannels.Types)})";
        }

        if (Type == "email")
        {
            return SmtpHost is null || From is null || To.Count == 0 ? $"channel '{name}': email needs SmtpHost, From and To" : null;
        }

        return Uri.TryCreate(ResolveUrl(), UriKind.Absolute, out Uri? url) && url.Scheme is "https" or "http"
            ? null
            : $"channel '{name}': {Type} needs an http(s) Url, or UrlEnv naming a variable that holds one";
    }
}
