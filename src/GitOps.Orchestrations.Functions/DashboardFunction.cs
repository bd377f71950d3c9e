using GitOps.Orchestrations.Dashboard;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace GitOps.Orchestrations.Functions;

/// <summary>
/// The dashboard's files at <c>/api/ui/</c>, the same ones <c>gitops serve</c> serves at <c>/ui/</c>.
/// Anonymous, as they are public: every call the dashboard makes goes to the key-protected API routes.
/// </summary>
public static class DashboardFunction
{
    [Function("Dashboard")]
    public static IActionResult Dashboard([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "ui/{*path}")] HttpRequest req, string? path) =>
        new ResultAction(DashboardAssets.Serve(req.HttpContext, path));
}
