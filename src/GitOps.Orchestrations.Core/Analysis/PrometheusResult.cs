using System.Globalization;
using System.Text.Json;

namespace GitOps.Orchestrations.Core.Analysis;

/// <summary>
/// Reads a Prometheus HTTP API response (<c>/api/v1/query</c> or <c>/api/v1/query_range</c>) into
/// the list of numbers conditions see as <c>result</c>: a scalar is one number, a vector one per
/// series, a matrix every sample of every series in order. NaN and ±Inf are kept, never dropped.
/// </summary>
public static class PrometheusResult
{
    public static IReadOnlyList<double> Parse(string body)
    {
        JsonElement root;
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new FormatException($"Prometheus answered with something that is not JSON: {e.Message}");
        }

        if (root.TryGetProperty("status", out JsonElement status) && status.GetString() != "success")
        {
            string type = root.TryGetProperty("errorType", out JsonElement t) ? t.GetString() ?? "error" : "error";
            string error = root.TryGetProperty("error", out JsonElement m) ? m.GetString() ?? string.Empty : string.Empty;
            throw new FormatException($"Prometheus refused the query ({type}): {error}");
        }

        if (!root.TryGetProperty("data", out JsonElement data) || !data.TryGetProperty("result", out JsonElement result))
        {
            throw new FormatException("Prometheus answered without data.result");
        }

        string resultType = data.TryGetProperty("resultType", out JsonElement rt) ? rt.GetString() ?? string.Empty : string.Empty;
        return resultType switch
        {
            "scalar" => [Sample(result)],
            "vector" => result.EnumerateArray().Select(series => Sample(series.GetProperty("value"))).ToList(),
            "matrix" => result.EnumerateArray().SelectMany(series => series.GetProperty("values").EnumerateArray().Select(Sample)).ToList(),
            _ => throw new FormatException($"Prometheus answered with result type '{resultType}', which is not a number"),
        };
    }

    /// <summary>A <c>[timestamp, "value"]</c> pair's value.</summary>
    static double Sample(JsonElement pair) => ParseNumber(pair[1].GetString() ?? "NaN");

    public static double ParseNumber(string text) => text switch
    {
        "NaN" => double.NaN,
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    public static string Format(double value) => double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : value.ToString("R", CultureInfo.InvariantCulture);
}
