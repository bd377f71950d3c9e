using System.Diagnostics;
using GitOps.Orchestrations.Core.Expressions;
using GitOps.Orchestrations.Core.Templating;
using Jint;

namespace GitOps.Orchestrations.Benchmarks;

/// <summary>
/// What the expression sandbox costs per evaluation, against the way expressions were evaluated
/// before it (values rendered into the source, then the text evaluated by a fresh Jint engine),
/// measured side by side in one process.
/// </summary>
internal static class ExpressionBenchmark
{
    const int Evaluations = 2_000;
    const string Condition = "'{{params.env}}' == 'prod' && {{params.replicas}} > 2";

    public static Task RunAsync(int repeat)
    {
        var sandboxed = new List<double>();
        var spliced = new List<double>();
        var remembered = new List<double>();
        for (int round = 0; round <= repeat; round++)
        {
            // A fresh value each time, so neither side can answer from a cache of results.
            string salt = $"r{round}-";
            double sandbox = Time(i => ExpressionLanguage.Compile(Condition).EvaluateBoolean(Scope($"{salt}{i}", "3")));
            double old = Time(i => OldEvaluate(Template.Render(Condition, Scope($"{salt}{i}", "3"))));
            double replay = Time(i => ExpressionLanguage.Compile(Condition).EvaluateBoolean(Scope($"{salt}{i % 10}", "3")));
            if (round > 0)
            {
                // Round 0 warms the JIT and is not counted.
                sandboxed.Add(sandbox);
                spliced.Add(old);
                remembered.Add(replay);
            }
        }

        double a = Median(sandboxed), b = Median(spliced), c = Median(remembered);
        Console.WriteLine();
        Console.WriteLine($"`when: {Condition}`, {Evaluations} evaluations with distinct values, median of {repeat}:");
        Console.WriteLine("| evaluation | µs each | against spliced text |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| spliced into the source, fresh engine (before) | {b:F0} | 1.00 |");
        Console.WriteLine($"| values as variables, sandbox, fresh engine | {a:F0} | {a / b:F2} |");
        Console.WriteLine($"| the same question again (a replay) | {c:F1} | {c / b:F3} |");
        return Task.CompletedTask;
    }

    static double Time(Action<int> evaluate)
    {
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < Evaluations; i++)
        {
            evaluate(i);
        }

        return watch.Elapsed.TotalMicroseconds / Evaluations;
    }

    static TemplateScope Scope(string env, string replicas) =>
        new(new Dictionary<string, string> { ["env"] = env, ["replicas"] = replicas }, new WorkflowInfo("w", "w-1", "abc"), _ => null);

    /// <summary>The evaluation before the sandbox: the rendered text, parsed and run by a new engine with the old limits.</summary>
    static bool OldEvaluate(string source)
    {
        var engine = new Jint.Engine(options => options.Strict().TimeoutInterval(TimeSpan.FromMilliseconds(250)).MaxStatements(10_000).LimitMemory(16_000_000).LimitRecursion(32));
        engine.Global.RemoveOwnProperty("Date");
        engine.Global.RemoveOwnProperty("eval");
        engine.Global.RemoveOwnProperty("Function");
        return engine.Evaluate(source).AsBoolean();
    }

    static double Median(List<double> values)
    {
        List<double> sorted = [.. values.Order()];
        return sorted[sorted.Count / 2];
    }
}
