using System.Net;

namespace GitOps.Orchestrations.Engine.Egress;

/// <summary>
/// Where the engine's outbound HTTP may go (http steps, metric providers, chart repositories), set
/// by the server's operator, never by a workflow. Hosts are matched by name before a request is
/// sent; addresses are matched after DNS, at connect time, so a name that resolves somewhere
/// denied (DNS rebinding included) is refused too. Deny wins over allow; when allow lists are
/// given, anything not on them is denied. Link-local and cloud metadata addresses are denied by
/// default, because a workflow that can read instance credentials owns the machine.
/// </summary>
public sealed record EgressPolicy
{
    /// <summary>Link-local (cloud metadata lives here), the metadata addresses clouds use outside it, and addresses that are never a destination.</summary>
    public static readonly IReadOnlyList<string> DefaultDeniedNetworks =
    [
        "169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128", "100.100.100.200/32", "192.0.0.192/32",
        "0.0.0.0/8", "::/128", "224.0.0.0/4", "ff00::/8",
    ];

    public static readonly EgressPolicy Default = new();

    /// <summary>Host names (exact, or <c>*.example.com</c>) requests may go to; empty allows any host not denied.</summary>
    public IReadOnlyList<string> AllowHosts { get; init; } = [];

    public IReadOnlyList<string> DenyHosts { get; init; } = [];

    /// <summary>Networks (CIDR) connections may go to; empty allows any address not denied.</summary>
    public IReadOnlyList<string> AllowNetworks { get; init; } = [];

    /// <summary>Networks connections may never go to; replaces <see cref="DefaultDeniedNetworks"/> when set.</summary>
    public IReadOnlyList<string> DenyNetworks { get; init; } = DefaultDeniedNetworks;

    /// <summary>The most redirects a step that allows them follows, each checked again.</summary>
    public int MaxRedirects { get; init; } = 5;

    /// <summary>Why a request to <paramref name="url"/> is refused, or null when its scheme and host may be asked.</summary>
    public string? RefuseUrl(Uri url)
    {
        if (url.Scheme is not ("http" or "https"))
        {
            return $"scheme '{url.Scheme}' is not http or https";
        }

        string host = url.IdnHost.TrimEnd('.').ToLowerInvariant();
        if (DenyHosts.Any(pattern => HostMatches(pattern, host)))
        {
            return $"host '{host}' is denied by the server's egress policy";
        }

        if (AllowHosts.Count > 0 && !AllowHosts.Any(pattern => HostMatches(pattern, host)))
        {
            return $"host '{host}' is not among the hosts the server's egress policy allows";
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? literal) ? RefuseAddress(literal) : null;
    }

    /// <summary>Why a connection to <paramref name="address"/> is refused, or null when it may be made.</summary>
    public string? RefuseAddress(IPAddress address)
    {
        IPAddress plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (IPNetwork denied in Networks(DenyNetworks))
        {
            if (denied.Contains(plain))
            {
                return $"address {plain} is in {denied}, which the server's egress policy denies";
            }
        }

        if (AllowNetworks.Count > 0 && !Networks(AllowNetworks).Any(n => n.Contains(plain)))
        {
            return $"address {plain} is not in a network the server's egress policy allows";
        }

        return null;
    }

    /// <summary>Checks every entry once, so a typo in the server's configuration stops it at start rather than at the first request.</summary>
    public EgressPolicy Validated()
    {
        _ = Networks(DenyNetworks).Concat(Networks(AllowNetworks)).ToList();
        return this;
    }

    static IEnumerable<IPNetwork> Networks(IEnumerable<string> cidrs) => cidrs.Select(cidr =>
        IPNetwork.TryParse(cidr, out IPNetwork network) ? network : throw new ArgumentException($"'{cidr}' is not a network in CIDR form (such as 10.0.0.0/8)"));

    static bool HostMatches(string pattern, string host) =>
        pattern.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase)
            : string.Equals(pattern, host, StringComparison.OrdinalIgnoreCase);
}

/// <summary>A request the egress policy refused; the message says which rule.</summary>
public sealed class EgressDeniedException(string message) : HttpRequestException(message, null, statusCode: null);
