namespace Berth.Server.Util;

/// <summary>
/// Undo on failure: register an undo step after each action; unless <see cref="Success"/> is called,
/// disposing runs the steps in reverse order.
/// </summary>
public sealed class Reverter : IDisposable
{
    private readonly Stack<Action> _undo = new();
    private bool _done;

    public void Add(Action undo) => _undo.Push(undo);

    public void Success() => _done = true;

    public void Dispose()
    {
        if (_done)
        {
            return;
        }

        _done = true;
        while (_undo.TryPop(out var step))
        {
            try
            {
                step();
            }
#pragma warning disable CA1031 // an undo step that fails must not stop the others
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }
}
