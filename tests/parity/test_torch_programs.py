"""Whole PyTorch programs, in the style of PyTorch's own tutorials and examples, run with
``import minigrad as torch``: the same source runs on both libraries, from the same
initial weights and data, and every training loss agrees (float64, to 1e-9).

Each program takes the library as ``torch`` and is written exactly as a PyTorch user
writes it; the harness only fixes the initial weights (PyTorch's random numbers are not
minigrad's) by overwriting every parameter, in order, with the same seeded values."""

from __future__ import annotations

import numpy as np
import pytest

torch_lib = pytest.importorskip("torch")

import minigrad  # noqa: E402


def _same_weights(torch, model, seed=0):
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for _, parameter in model.named_parameters():
            values = rng.uniform(-0.3, 0.3, tuple(parameter.shape))
            parameter.copy_(torch.tensor(values, dtype=parameter.dtype))


def _both(program, **options):
    """The program's losses with each library, float64 as the default dtype."""
    results = []
    for torch in (torch_lib, minigrad):
        previous = torch.get_default_dtype()
        torch.set_default_dtype(torch.float64)
        try:
            results.append(program(torch, **options))
        finally:
            torch.set_default_dtype(previous)
    return results


def _assert_same_losses(program, **options):
    theirs, ours = _both(program, **options)
    assert len(ours) == len(theirs) > 0
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
    return ours


# ------------------------------------------------- 1. classifying names with a char-RNN


def char_rnn_classifier(torch):
    """PyTorch's "NLP from scratch: classifying names": an RNN written by hand from two
    Linear layers, a LogSoftmax, NLLLoss, one letter at a time, and a manual SGD update
    through ``p.data``; ``topk`` reads the guess."""
    nn = torch.nn
    letters = "abcdefghijklmnopqrstuvwxyz"
    names = [("anna", 0), ("otto", 1), ("bob", 1), ("elle", 0), ("ivan", 1), ("mia", 0)]

    def line_to_tensor(line):
        tensor = torch.zeros(len(line), 1, len(letters))
        for li, letter in enumerate(line):
            tensor[li][0][letters.find(letter)] = 1
        return tensor

    class RNN(nn.Module):
        def __init__(self, input_size, hidden_size, output_size):
            super().__init__()
            self.hidden_size = hidden_size
            self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
            self.h2o = nn.Linear(hidden_size, output_size)
            self.softmax = nn.LogSoftmax(dim=1)

        def forward(self, input, hidden):
            combined = torch.cat((input, hidden), 1)
            hidden = torch.tanh(self.i2h(combined))
            output = self.softmax(self.h2o(hidden))
            return output, hidden

        def init_hidden(self):
            return torch.zeros(1, self.hidden_size)

    rnn = RNN(len(letters), 16, 2)
    _same_weights(torch, rnn)
    criterion = nn.NLLLoss()
    learning_rate = 0.05
    losses, guesses = [], []
    for epoch in range(3):  # noqa: B007 (as the tutorials write it)
        for name, label in names:
            category = torch.tensor([label], dtype=torch.long)
            hidden = rnn.init_hidden()
            rnn.zero_grad()
            line = line_to_tensor(name)
            for i in range(line.size()[0]):
                output, hidden = rnn(line[i], hidden)
            loss = criterion(output, category)
            loss.backward()
            for p in rnn.parameters():
                p.data.add_(p.grad.data, alpha=-learning_rate)
            losses.append(loss.item())
            top_n, top_i = output.topk(1)
            guesses.append(top_i[0].item())
    return losses + guesses


def test_char_rnn_classifier():
    _assert_same_losses(char_rnn_classifier)


# ------------------------------------------------- 2. a word-level language model


def word_language_model(torch):
    """pytorch/examples' word_language_model: Embedding -> LSTM -> Linear, batchify with
    narrow/view/t().contiguous(), truncated BPTT with detached hidden states, gradient
    clipping and the manual update ``p.data.add_(p.grad, alpha=-lr)``."""
    nn = torch.nn
    F = torch.nn.functional
    ntokens, bptt, batch_size = 20, 5, 3
    data = torch.tensor(np.random.default_rng(1).integers(0, ntokens, 64), dtype=torch.long)

    def batchify(data, bsz):
        nbatch = data.size(0) // bsz
        data = data.narrow(0, 0, nbatch * bsz)
        return data.view(bsz, -1).t().contiguous()

    class RNNModel(nn.Module):
        def __init__(self, ntoken, ninp, nhid, nlayers, dropout=0.0):
            super().__init__()
            self.drop = nn.Dropout(dropout)
            self.encoder = nn.Embedding(ntoken, ninp)
            self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
            self.decoder = nn.Linear(nhid, ntoken)
            self.init_weights()
            self.nhid, self.nlayers = nhid, nlayers

        def init_weights(self):
            initrange = 0.1
            nn.init.uniform_(self.encoder.weight, -initrange, initrange)
            nn.init.zeros_(self.decoder.bias)
            nn.init.uniform_(self.decoder.weight, -initrange, initrange)

        def forward(self, input, hidden):
            emb = self.drop(self.encoder(input))
            output, hidden = self.rnn(emb, hidden)
            output = self.drop(output)
            decoded = self.decoder(output).view(-1, self.decoder.out_features)
            return F.log_softmax(decoded, dim=1), hidden

        def init_hidden(self, bsz):
            weight = next(self.parameters())
            return (weight.new_zeros(self.nlayers, bsz, self.nhid),
                    weight.new_zeros(self.nlayers, bsz, self.nhid))

    def repackage_hidden(h):
        if isinstance(h, torch.Tensor):
            return h.detach()
        return tuple(repackage_hidden(v) for v in h)

    def get_batch(source, i):
        seq_len = min(bptt, len(source) - 1 - i)
        return source[i:i + seq_len], source[i + 1:i + 1 + seq_len].view(-1)

    train_data = batchify(data, batch_size)
    model = RNNModel(ntokens, 8, 12, 2)
    _same_weights(torch, model)
    criterion = nn.NLLLoss()
    lr, losses = 2.0, []
    model.train()
    for epoch in range(2):  # noqa: B007 (as the tutorials write it)
        hidden = model.init_hidden(batch_size)
        for i in range(0, train_data.size(0) - 1, bptt):
            data_, targets = get_batch(train_data, i)
            model.zero_grad()
            hidden = repackage_hidden(hidden)
            output, hidden = model(data_, hidden)
            loss = criterion(output, targets)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
            for p in model.parameters():
                p.data.add_(p.grad, alpha=-lr)
            losses.append(loss.item())
    model.eval()
    with torch.no_grad():
        output, _ = model(train_data[:bptt], model.init_hidden(batch_size))
        losses.append(criterion(output, train_data[1:bptt + 1].view(-1)).item())
    return losses


def test_word_language_model():
    losses = _assert_same_losses(word_language_model)
    assert losses[-1] < losses[0]


# ------------------------------------------------- 3. sine waves with LSTMCells and L-BFGS


def sine_lbfgs(torch):
    """pytorch/examples' time_sequence_prediction: two LSTMCells unrolled over a wave by
    ``chunk``, ``torch.stack`` of the outputs, MSELoss, L-BFGS with a closure, then a
    prediction of future steps without gradients."""
    nn, optim = torch.nn, torch.optim
    rng = np.random.default_rng(2)
    T, L, N = 20, 60, 6
    x = np.arange(L)[None, :] + rng.integers(-4 * T, 4 * T, N)[:, None]
    data = np.sin(x / T)
    input, target = torch.from_numpy(data[1:, :-1]), torch.from_numpy(data[1:, 1:])
    test_input, test_target = torch.from_numpy(data[:1, :-1]), torch.from_numpy(data[:1, 1:])

    class Sequence(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm1 = nn.LSTMCell(1, 12)
            self.lstm2 = nn.LSTMCell(12, 12)
            self.linear = nn.Linear(12, 1)

        def forward(self, input, future=0):
            outputs = []
            h_t = torch.zeros(input.size(0), 12, dtype=torch.double)
            c_t = torch.zeros(input.size(0), 12, dtype=torch.double)
            h_t2 = torch.zeros(input.size(0), 12, dtype=torch.double)
            c_t2 = torch.zeros(input.size(0), 12, dtype=torch.double)
            for input_t in input.split(1, dim=1):
                h_t, c_t = self.lstm1(input_t, (h_t, c_t))
                h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
                output = self.linear(h_t2)
                outputs += [output]
            for i in range(future):  # noqa: B007 (as the tutorials write it)
                h_t, c_t = self.lstm1(output, (h_t, c_t))
                h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
                output = self.linear(h_t2)
                outputs += [output]
            return torch.cat(outputs, dim=1)

    seq = Sequence()
    seq.double()
    _same_weights(torch, seq)
    criterion = nn.MSELoss()
    optimizer = optim.LBFGS(seq.parameters(), lr=0.8)
    losses = []
    for i in range(2):  # noqa: B007 (as the tutorials write it)
        def closure():
            optimizer.zero_grad()
            out = seq(input)
            loss = criterion(out, target)
            losses.append(loss.item())
            loss.backward()
            return loss
        optimizer.step(closure)
        with torch.no_grad():
            future = 10
            pred = seq(test_input, future=future)
            losses.append(criterion(pred[:, :-future], test_target).item())
    return losses


def test_sine_lbfgs():
    losses = _assert_same_losses(sine_lbfgs)
    assert losses[-1] < losses[0]


# ------------------------------------------------- 4. a GRU encoder-decoder with attention


def seq2seq_attention(torch):
    """PyTorch's "NLP from scratch: translation with a sequence to sequence network and
    attention": an Embedding + GRU encoder, a decoder with Bahdanau attention (``bmm``,
    ``softmax``, ``cat``), greedy decoding with ``topk`` and ``detach``, NLLLoss, Adam."""
    nn = torch.nn
    F = torch.nn.functional
    vocab, hidden_size, length, SOS = 8, 10, 5, 0

    class EncoderRNN(nn.Module):
        def __init__(self, input_size, hidden_size):
            super().__init__()
            self.embedding = nn.Embedding(input_size, hidden_size)
            self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)

        def forward(self, input):
            output, hidden = self.gru(self.embedding(input))
            return output, hidden

    class BahdanauAttention(nn.Module):
        def __init__(self, hidden_size):
            super().__init__()
            self.Wa = nn.Linear(hidden_size, hidden_size)
            self.Ua = nn.Linear(hidden_size, hidden_size)
            self.Va = nn.Linear(hidden_size, 1)

        def forward(self, query, keys):
            scores = self.Va(torch.tanh(self.Wa(query) + self.Ua(keys)))
            scores = scores.squeeze(2).unsqueeze(1)
            weights = F.softmax(scores, dim=-1)
            context = torch.bmm(weights, keys)
            return context, weights

    class AttnDecoderRNN(nn.Module):
        def __init__(self, hidden_size, output_size):
            super().__init__()
            self.embedding = nn.Embedding(output_size, hidden_size)
            self.attention = BahdanauAttention(hidden_size)
            self.gru = nn.GRU(2 * hidden_size, hidden_size, batch_first=True)
            self.out = nn.Linear(hidden_size, output_size)

        def forward(self, encoder_outputs, encoder_hidden, target_tensor=None):
            batch_size = encoder_outputs.size(0)
            decoder_input = torch.empty(batch_size, 1, dtype=torch.long).fill_(SOS)
            decoder_hidden = encoder_hidden
            decoder_outputs, attentions = [], []
            for i in range(length):
                decoder_output, decoder_hidden, attn_weights = self.forward_step(
                    decoder_input, decoder_hidden, encoder_outputs)
                decoder_outputs.append(decoder_output)
                attentions.append(attn_weights)
                if target_tensor is not None:
                    decoder_input = target_tensor[:, i].unsqueeze(1)  # teacher forcing
                else:
                    _, topi = decoder_output.topk(1)
                    decoder_input = topi.squeeze(-1).detach()
            decoder_outputs = torch.cat(decoder_outputs, dim=1)
            decoder_outputs = F.log_softmax(decoder_outputs, dim=-1)
            return decoder_outputs, decoder_hidden, torch.cat(attentions, dim=1)

        def forward_step(self, input, hidden, encoder_outputs):
            embedded = self.embedding(input)
            query = hidden.permute(1, 0, 2)
            context, attn_weights = self.attention(query, encoder_outputs)
            input_gru = torch.cat((embedded, context), dim=2)
            output, hidden = self.gru(input_gru, hidden)
            return self.out(output), hidden, attn_weights

    rng = np.random.default_rng(3)
    source = torch.tensor(rng.integers(1, vocab, (4, length)), dtype=torch.long)
    target = torch.flip(source, dims=[1])  # learn to reverse
    encoder, decoder = EncoderRNN(vocab, hidden_size), AttnDecoderRNN(hidden_size, vocab)
    _same_weights(torch, encoder, 4)
    _same_weights(torch, decoder, 5)
    encoder_optimizer = torch.optim.Adam(encoder.parameters(), lr=0.01)
    decoder_optimizer = torch.optim.Adam(decoder.parameters(), lr=0.01)
    criterion = nn.NLLLoss()
    losses = []
    for epoch in range(8):  # noqa: B007 (as the tutorials write it)
        encoder_optimizer.zero_grad()
        decoder_optimizer.zero_grad()
        encoder_outputs, encoder_hidden = encoder(source)
        decoder_outputs, _, _ = decoder(encoder_outputs, encoder_hidden, target)
        loss = criterion(decoder_outputs.view(-1, decoder_outputs.size(-1)), target.view(-1))
        loss.backward()
        encoder_optimizer.step()
        decoder_optimizer.step()
        losses.append(loss.item())
    with torch.no_grad():
        encoder_outputs, encoder_hidden = encoder(source)
        decoder_outputs, _, attentions = decoder(encoder_outputs, encoder_hidden)
        losses += attentions.sum(dim=1).flatten().tolist()
    return losses


def test_seq2seq_attention():
    _assert_same_losses(seq2seq_attention)


# ------------------------------------------------- 5. a classifier over padded sequences


def packed_classifier(torch):
    """The usual variable-length recipe: Embedding(padding_idx=0), pad_sequence,
    pack_padded_sequence(enforce_sorted=False) into a bidirectional LSTM, both final
    states concatenated, CrossEntropyLoss, Adam, a DataLoader with a collate_fn."""
    nn = torch.nn
    from_rnn = torch.nn.utils.rnn
    rng = np.random.default_rng(6)
    sequences = [rng.integers(1, 10, rng.integers(2, 7)).tolist() for _ in range(12)]
    labels = [int(sum(s) % 2) for s in sequences]

    def collate(batch):
        seqs = [torch.tensor(s, dtype=torch.long) for s, _ in batch]
        lengths = torch.tensor([len(s) for s in seqs])
        return from_rnn.pad_sequence(seqs, batch_first=True), lengths, torch.tensor(
            [y for _, y in batch])

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(10, 6, padding_idx=0)
            self.lstm = nn.LSTM(6, 8, batch_first=True, bidirectional=True)
            self.fc = nn.Linear(16, 2)

        def forward(self, x, lengths):
            packed = from_rnn.pack_padded_sequence(
                self.embedding(x), lengths, batch_first=True, enforce_sorted=False)
            _, (h_n, _) = self.lstm(packed)
            return self.fc(torch.cat([h_n[-2], h_n[-1]], dim=1))

    model = Classifier()
    _same_weights(torch, model, 7)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    loader = torch.utils.data.DataLoader(
        list(zip(sequences, labels)), batch_size=4, shuffle=False, collate_fn=collate)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for epoch in range(3):  # noqa: B007 (as the tutorials write it)
        for x, lengths, y in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x, lengths), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


def test_packed_classifier():
    _assert_same_losses(packed_classifier)
