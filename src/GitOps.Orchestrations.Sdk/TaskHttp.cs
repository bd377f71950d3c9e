namespace GitOps.Orchestrations.Sdk;

/// <summary>The HTTP client hosts give task types: <c>IHttpClientFactory.CreateClient(TaskHttp.ClientName)</c>.</summary>
public static class TaskHttp
{
    /// <summary>
    /// Goes through the server's egress policy, as the engine's own http steps do: names and
    /// addresses checked, no automatic redirects.
    /// </summary>
    public const string ClientName = "gitops-tasks";
}
